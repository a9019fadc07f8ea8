namespace Kvmspec.Spec.X86;

/// <summary>DR7, the debug control register (Intel SDM Vol. 3 §18.2.4).</summary>
/// <remarks>Ln/Gn (bits 2n, 2n+1) enable breakpoint n; bit 10 reads as 1; GD (bit 13) makes any
/// MOV to or from a debug register raise a fault-class #DB with DR6.BD; R/Wn (bits 16+4n, two bits:
/// 00 execute, 01 write, 11 read/write) and LENn (bits 18+4n) describe breakpoint n.</remarks>
public static class Dr7
{
    public const ulong Fixed = 1UL << 10;
    public const ulong GD = 1UL << 13;

    public static ulong L(int i) => 1UL << (2 * i);
    public static ulong G(int i) => 1UL << (2 * i + 1);

    /// <summary>R/W field value for a data-write breakpoint.</summary>
    public const int RwWrite = 1;

    public static ulong Rw(int i, int rw) => (ulong)rw << (16 + 4 * i);
    public static ulong Len4(int i) => 3UL << (18 + 4 * i);

    public static bool Enabled(ulong dr7, int i) => (dr7 & (L(i) | G(i))) != 0;
    public static int RwOf(ulong dr7, int i) => (int)(dr7 >> (16 + 4 * i) & 3);
    public static bool Gd(ulong dr7) => (dr7 & GD) != 0;
}
