namespace Kvmspec.Spec.Arm64;

/// <summary>Offsets from VBAR_ELx of the exception vectors this model uses.</summary>
/// <remarks>Arm ARM DDI 0487, "Exception vectors": an exception taken from the current EL using
/// SP_ELx uses offsets 0x200 (synchronous), 0x280 (IRQ), 0x300 (FIQ), 0x380 (SError).</remarks>
public static class VectorOffset
{
    public const ulong CurrentSpxSync = 0x200;
    public const ulong CurrentSpxIrq = 0x280;
    public const ulong CurrentSpxSError = 0x380;
}
