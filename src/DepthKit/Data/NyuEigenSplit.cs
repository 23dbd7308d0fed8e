namespace DepthKit.Data;

/// <summary>
/// The standard train/test split of the 1449 labeled NYU Depth V2 frames (Silberman et al. 2012), used by
/// Eigen et al. 2014 and everyone since: 795 train and 654 test frames, 1-based indices into the .mat as in
/// the official <c>splits.mat</c> (<c>trainNdxs</c>, <c>testNdxs</c>). Built in so the labeled .mat works without
/// splits.mat; <see cref="MatV5"/> reads the official file when it is given.
/// </summary>
public static class NyuEigenSplit
{
    public const int FrameCount = 1449;

    // testNdxs as 1-based inclusive ranges (654 frames); train is the complement in 1..1449
    const string TestRanges = """
        1-2 9 14-18 21 28-43 46-47 56-57 59-63 76-79 84-91 117-119 125-129 131-134 137 153-155 167-169 171-176 180-202
        207-212 220-222 250 264 271-273 279-285 296-302 310-312 315-317 325-335 351-352 355-364 384-390 395-397
        411-414 430-435 441-448 462-466 469-477 508-513 515-526 531-533 537-539 549-551 555-571 579-583 591-594
        603-607 612-613 617-621 633-638 644-645 650-651 656-658 663-664 668-673 676-681 686-690 693-694 697-699
        706-713 717-718 724-728 731-734 743-744 759-787 800-804 810-814 821-823 833-846 850-852 857-862 869-871
        906-908 917-919 926-928 932-935 945-947 959-962 965-967 970-977 991-995 1001-1004 1010-1012 1021-1023
        1032-1034 1038-1039 1048-1049 1052-1053 1057-1058 1075-1084 1088-1096 1098-1104 1106-1109 1117-1119 1123-1131
        1135-1136 1144-1158 1162-1167 1170-1171 1174-1176 1179-1184 1192-1196 1201-1212 1216-1220 1226-1230 1233-1235
        1247-1250 1254-1265 1275-1280 1285-1295 1297-1299 1302-1308 1314-1315 1329-1332 1335-1340 1347-1349 1353-1356
        1364-1365 1368-1369 1384-1391 1394-1401 1407-1414 1421-1424 1430-1433 1441-1449
        """;

    /// <summary>1-based test frame indices (654), ascending.</summary>
    public static int[] TestIndices { get; } = Expand(TestRanges);

    /// <summary>1-based train frame indices (795), ascending.</summary>
    public static int[] TrainIndices { get; } = Enumerable.Range(1, FrameCount).Except(TestIndices).ToArray();

    static int[] Expand(string ranges) =>
        ranges.Split([' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).SelectMany(r =>
        {
            var ends = r.Split('-').Select(int.Parse).ToArray();
            return Enumerable.Range(ends[0], ends[^1] - ends[0] + 1);
        }).ToArray();
}
