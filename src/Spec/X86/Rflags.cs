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

    public static bool Tf(ulong v) => (v & TF) != 0;
    public static bool If(ulong v) => (v & IF) != 0;

    public static string Describe(ulong v) =>
        $"0x{v:X}[{(Tf(v) ? "TF " : "")}{(If(v) ? "IF " : "")}{((v & RF) != 0 ? "RF" : "")}]".Replace(" ]", "]");
}
