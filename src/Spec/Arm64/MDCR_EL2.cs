namespace Kvmspec.Spec.Arm64;

/// <summary>MDCR_EL2, Monitor Debug Configuration Register (EL2): the fields this model uses.</summary>
/// <remarks>Arm ARM DDI 0487, "MDCR_EL2, Monitor Debug Configuration Register (EL2)".
/// TDE routes debug exceptions (and BRK) from EL1/EL0 to EL2; TDA traps accesses to the debug
/// registers (including MDSCR_EL1 and DBGBVR&lt;n&gt;_EL1) to EL2; TDOSA traps the OS Lock registers
/// (OSLAR_EL1, OSLSR_EL1, OSDLR_EL1), which KVM always sets (kvm_arm_setup_mdcr_el2). Left out: TDRA, HPMN, TPM*.</remarks>
public readonly record struct MDCR_EL2(bool TDE, bool TDA, bool TDOSA = true)
{
    public override string ToString() => $"{{TDE={(TDE ? 1 : 0)} TDA={(TDA ? 1 : 0)} TDOSA={(TDOSA ? 1 : 0)}}}";
}
