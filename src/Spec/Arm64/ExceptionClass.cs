namespace Kvmspec.Spec.Arm64;

/// <summary>ESR_ELx.EC, the exception class, for the exceptions this model produces.</summary>
/// <remarks>Arm ARM DDI 0487, "ESR_EL2, Exception Syndrome Register (EL2)", field EC; the kernel's
/// ESR_ELx_EC_* names (arch/arm64/include/asm/esr.h) without the prefix.</remarks>
public enum ExceptionClass : byte
{
    UNKNOWN = 0x00,
    WFx = 0x01,
    CP15_32 = 0x03,
    SVC64 = 0x15,
    HVC64 = 0x16,
    SYS64 = 0x18,
    DABT_LOW = 0x24,
    DABT_CUR = 0x25,
    SERROR = 0x2F,
    BREAKPT_LOW = 0x30,
    BREAKPT_CUR = 0x31,
    SOFTSTP_LOW = 0x32,
    SOFTSTP_CUR = 0x33,
    WATCHPT_LOW = 0x34,
    WATCHPT_CUR = 0x35,
    BKPT32 = 0x38,
    BRK64 = 0x3C,
}
