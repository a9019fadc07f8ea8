namespace Kvmspec.Spec.X86;

/// <summary>The RFLAGS bits this specification reads (Intel SDM Vol. 1 §3.4.3, Vol. 3 §2.3).</summary>
/// <remarks>Bit 1 is reserved and always 1. TF (bit 8) makes the processor raise a single-step
/// debug trap after each instruction that begins with TF=1; IF (bit 9) enables maskable
/// interrupts; RF (bit 16) suppresses instruction breakpoints for one instruction.</remarks>
public static class Rflags
{
    public const ulong Fixed = 1UL << 1;
    public const ulong TF = 1UL << 8;
    public const ulong IF = 1UL << 9;
    public const ulong RF = 1UL << 16;
    public const ulong VM = 1UL << 17;

    /// <summary>The state a guest starts in: IF=0, TF=0 (the reset value 0x2).</summary>
    public const ulong Reset = Fixed;

    /// <summary>The bits that read as 0 in 64-bit mode: 3, 5, 15 and 63:22 (SDM Vol. 1 "EFLAGS Register",
    /// "RFLAGS Register in 64-Bit Mode").</summary>
    public const ulong ReservedZero = (1UL << 3) | (1UL << 5) | (1UL << 15) | ~((1UL << 22) - 1);

    /// <summary>Whether <paramref name="v"/> can be an RFLAGS value: bit 1 set, the reserved-zero bits clear.</summary>
    public static bool IsValid(ulong v) => (v & Fixed) != 0 && (v & ReservedZero) == 0;

    public static bool Tf(ulong v) => (v & TF) != 0;
    public static bool If(ulong v) => (v & IF) != 0;

    public static string Describe(ulong v) =>
        $"0x{v:X}[{(Tf(v) ? "TF " : "")}{(If(v) ? "IF " : "")}{((v & RF) != 0 ? "RF" : "")}]".Replace(" ]", "]");
}
