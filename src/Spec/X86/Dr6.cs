namespace Kvmspec.Spec.X86;

/// <summary>DR6, the debug status register (Intel SDM Vol. 3 §18.2.3).</summary>
/// <remarks>B0-B3 (bits 0-3): breakpoint n matched; BD (bit 13): the next instruction accesses a debug
/// register while DR7.GD=1; BS (bit 14): single-step trap. Bits that read as 1 when inactive
/// (KVM's DR6_ACTIVE_LOW) are 0xFFFF0FF0: the Linux selftest debug_regs.c asserts
/// <c>dr6 == 0xffff0ff0 | (1 &lt;&lt; i)</c> for breakpoint i, 0xffff4ff0 for a step and 0xffff2ff0
/// for BD, which pins the value.</remarks>
public static class Dr6
{
    public const ulong ActiveLow = 0xFFFF0FF0;
    public const ulong BD = 1UL << 13;
    public const ulong BS = 1UL << 14;

    public static ulong B(int i) => 1UL << i;

    public static bool Bs(ulong v) => (v & BS) != 0;

    public static string Describe(ulong v)
    {
        var parts = new List<string>();
        for (int i = 0; i < 4; i++) if ((v & B(i)) != 0) parts.Add($"B{i}");
        if ((v & BD) != 0) parts.Add("BD");
        if ((v & BS) != 0) parts.Add("BS");
        return $"0x{v:X}{(parts.Count > 0 ? "[" + string.Join(" ", parts) + "]" : "")}";
    }
}
