namespace Kvmspec.Spec.Arm64;

/// <summary>OSLSR_EL1, OS Lock Status Register: the OS Lock model, whether it is locked, and nTT.</summary>
/// <remarks>
/// Arm ARM DDI 0487, "OSLSR_EL1, OS Lock Status Register": OSLM is bits {3,0} (0b10: the OS Lock is
/// implemented, OSLAR_EL1 locks and unlocks it), nTT is bit 2 (0), OSLK is bit 1. OSLK resets to 1 on a
/// cold reset (Arm ARM, quoted by Reiji Watanabe in the 2021 OS Lock thread; dossier F.3). A write of
/// OSLAR_EL1.OSLK (bit 0) sets or clears OSLK. KVM resets the register to 0x8, OSLK = 0, "as a warm
/// reset" (arch/arm64/kvm/sys_regs.c, OSLSR_EL1_OSLM_IMPLEMENTED, v5.18+).
/// </remarks>
public readonly record struct OSLSR_EL1(byte OSLM, bool nTT, bool OSLK)
{
    /// <summary>OSLM = 0b10: the OS Lock is implemented.</summary>
    public const byte Implemented = 0b10;

    /// <summary>The architectural value after a cold reset: implemented, locked (0xA).</summary>
    public static OSLSR_EL1 ColdReset => new(Implemented, false, true);

    /// <summary>KVM's reset value (v5.18+) and the constant older KVM returned: implemented, unlocked (0x8).</summary>
    public static OSLSR_EL1 KvmReset => new(Implemented, false, false);

    public ulong Encode() => ((OSLM & 2) != 0 ? 1UL << 3 : 0) | (nTT ? 1UL << 2 : 0) | (OSLK ? 1UL << 1 : 0) | ((OSLM & 1) != 0 ? 1UL : 0);

    public static OSLSR_EL1 Decode(ulong v) => new((byte)((v >> 3 & 1) << 1 | (v & 1)), (v >> 2 & 1) != 0, (v >> 1 & 1) != 0);

    /// <summary>The effect of a write of <paramref name="oslar"/> to OSLAR_EL1: OSLK := OSLAR_EL1.OSLK (bit 0).</summary>
    public OSLSR_EL1 AfterOslarWrite(ulong oslar) => this with { OSLK = (oslar & 1) != 0 };

    public override string ToString() => $"{{OSLM=0b{Convert.ToString(OSLM, 2).PadLeft(2, '0')} nTT={(nTT ? 1 : 0)} OSLK={(OSLK ? 1 : 0)}}}";
}
