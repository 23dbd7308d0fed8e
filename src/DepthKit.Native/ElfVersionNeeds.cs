using System.Text;

namespace DepthKit.Native;

/// <summary>
/// Reads and edits the symbol-version requirements (<c>.gnu.version_r</c>, SHT_GNU_verneed) of an ELF64
/// little-endian shared library. DepthKit uses it for one job: TorchSharp's bridge asks for a newer GLIBCXX only
/// for a marker symbol (<c>_ZSt21ios_base_library_initv</c>) that nothing calls, so marking that requirement weak
/// (VER_FLG_WEAK) lets it load against an older libstdc++.
/// </summary>
public static class ElfVersionNeeds
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    /// <summary>One required version: library file name, version name, and whether it is weak.</summary>
    public readonly record struct Requirement(string Library, string Version, bool Weak, int FlagsOffset);

    /// <summary>Every version requirement in the file; empty when it is not an ELF64 LE file.</summary>
    public static IReadOnlyList<Requirement> Read(ReadOnlySpan<byte> elf)
    {
        var result = new List<Requirement>();
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F'
            || elf[4] != 2 /* ELFCLASS64 */ || elf[5] != 1 /* little-endian */)
            return result;
        long sectionTable = ReadI64(elf, 0x28);
        int entrySize = ReadU16(elf, 0x3A), count = ReadU16(elf, 0x3C);
        for (int i = 0; i < count; i++)
        {
            int header = checked((int)(sectionTable + (long)i * entrySize));
            if (ReadU32(elf, header + 4) != ShtGnuVerneed) continue;
            int entry = checked((int)ReadI64(elf, header + 24));
            int entries = (int)ReadU32(elf, header + 44);
            int stringsHeader = checked((int)(sectionTable + (long)ReadU32(elf, header + 40) * entrySize));
            int strings = checked((int)ReadI64(elf, stringsHeader + 24));
            for (int n = 0; n < entries; n++)
            {
                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
                string file = ReadString(elf, strings + (int)ReadU32(elf, entry + 4));
                int aux = entry + (int)ReadU32(elf, entry + 8);
                for (int k = 0, auxCount = ReadU16(elf, entry + 2); k < auxCount; k++)
                {
                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
                    int flags = ReadU16(elf, aux + 4);
                    result.Add(new Requirement(file, ReadString(elf, strings + (int)ReadU32(elf, aux + 8)),
                                               (flags & VerFlgWeak) != 0, aux + 4));
                    uint nextAux = ReadU32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux += (int)nextAux;
                }
                uint next = ReadU32(elf, entry + 12);
                if (next == 0) break;
                entry += (int)next;
            }
        }
        return result;
    }

    /// <summary>Marks the named version requirements weak in place; returns how many it changed.</summary>
    public static int MarkWeak(Span<byte> elf, Func<string, bool> isVersionToWeaken)
    {
        int changed = 0;
        foreach (var r in Read(elf))
        {
            if (r.Weak || !isVersionToWeaken(r.Version)) continue;
            elf[r.FlagsOffset] |= (byte)VerFlgWeak;
            changed++;
        }
        return changed;
    }

    /// <summary>True for GLIBCXX_3.4.N with N greater than <paramref name="newestAvailableMinor"/>.</summary>
    public static bool IsGlibcxxNewerThan(string version, int newestAvailableMinor) =>
        version.StartsWith("GLIBCXX_3.4.", StringComparison.Ordinal)
        && int.TryParse(version.AsSpan("GLIBCXX_3.4.".Length), out var minor) && minor > newestAvailableMinor;

    static ushort ReadU16(ReadOnlySpan<byte> b, int at) => BitConverter.ToUInt16(b.Slice(at, 2));
    static uint ReadU32(ReadOnlySpan<byte> b, int at) => BitConverter.ToUInt32(b.Slice(at, 4));
    static long ReadI64(ReadOnlySpan<byte> b, int at) => BitConverter.ToInt64(b.Slice(at, 8));
    static string ReadString(ReadOnlySpan<byte> b, int at)
    {
        int end = b[at..].IndexOf((byte)0);
        return Encoding.ASCII.GetString(b.Slice(at, end < 0 ? b.Length - at : end));
    }
}
