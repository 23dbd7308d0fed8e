using System.Buffers.Binary;
using System.Text;

namespace DepthKit.Data;

/// <summary>
/// Random access to a stored (uncompressed) zip entry: the entry's bytes sit contiguously in the zip, so a
/// window over the zip file can seek, which ZipArchive's entry streams cannot. Found through the central
/// directory; returns null for deflated entries and for zip64 archives (the caller then extracts instead).
/// </summary>
public static class StoredZipEntry
{
    public static Stream? TryOpen(string zipPath, string entryName)
    {
        var file = new FileStream(zipPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        try
        {
            var window = Find(file, entryName);
            if (window is null) { file.Dispose(); return null; }
            return new WindowStream(file, window.Value.Start, window.Value.Length);
        }
        catch { file.Dispose(); throw; }
    }

    static (long Start, long Length)? Find(FileStream file, string entryName)
    {
        // end of central directory record: signature 0x06054b50 within the last 64 KiB + 22 bytes
        int tail = (int)Math.Min(file.Length, 65557);
        var end = new byte[tail];
        file.Position = file.Length - tail;
        file.ReadExactly(end);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--)
            if (BinaryPrimitives.ReadUInt32LittleEndian(end.AsSpan(i)) == 0x06054b50) { eocd = i; break; }
        if (eocd < 0) return null;
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(end.AsSpan(eocd + 12));
        uint offset = BinaryPrimitives.ReadUInt32LittleEndian(end.AsSpan(eocd + 16));
        if (size == uint.MaxValue || offset == uint.MaxValue || offset + (long)size > file.Length) return null; // zip64
        var dir = new byte[size];
        file.Position = offset;
        file.ReadExactly(dir);
        for (int p = 0; p + 46 <= dir.Length && BinaryPrimitives.ReadUInt32LittleEndian(dir.AsSpan(p)) == 0x02014b50;)
        {
            int method = BinaryPrimitives.ReadUInt16LittleEndian(dir.AsSpan(p + 10));
            uint compressed = BinaryPrimitives.ReadUInt32LittleEndian(dir.AsSpan(p + 20));
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(dir.AsSpan(p + 24));
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(dir.AsSpan(p + 28));
            int extra = BinaryPrimitives.ReadUInt16LittleEndian(dir.AsSpan(p + 30));
            int comment = BinaryPrimitives.ReadUInt16LittleEndian(dir.AsSpan(p + 32));
            uint local = BinaryPrimitives.ReadUInt32LittleEndian(dir.AsSpan(p + 42));
            var name = Encoding.UTF8.GetString(dir, p + 46, nameLength);
            if (name == entryName)
            {
                if (method != 0 || compressed != length || local == uint.MaxValue || length == uint.MaxValue) return null;
                var header = new byte[30];
                file.Position = local;
                file.ReadExactly(header);
                if (BinaryPrimitives.ReadUInt32LittleEndian(header) != 0x04034b50) return null;
                long start = local + 30L + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(26)) + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28));
                return start + length <= file.Length ? (start, length) : null;
            }
            p += 46 + nameLength + extra + comment;
        }
        return null;
    }

    /// <summary>A read-only, seekable view of [start, start + length) of a file.</summary>
    sealed class WindowStream(FileStream file, long start, long length) : Stream
    {
        long _position;
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => _position = Math.Clamp(value, 0, length); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, length - _position);
            if (n <= 0) return 0;
            file.Position = start + _position;
            n = file.Read(buffer[..n]);
            _position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) =>
            Position = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => _position + offset, _ => length + offset };
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing) { if (disposing) file.Dispose(); base.Dispose(disposing); }
    }
}
