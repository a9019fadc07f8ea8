namespace Kvmspec.Spec.Arm64;

/// <summary>MDCR_EL2, Monitor Debug Configuration Register (EL2): the fields this model uses.</summary>
/// <remarks>Arm ARM DDI 0487, "MDCR_EL2, Monitor Debug Configuration Register (EL2)".
/// TDE routes debug exceptions (and BRK) from EL1/EL0 to EL2; TDA traps accesses to the debug
/// registers (including MDSCR_EL1 and DBGBVR&lt;n&gt;_EL1) to EL2. Left out: TDOSA, TDRA, HPMN, TPM*.</remarks>
public readonly record struct MDCR_EL2(bool TDE, bool TDA)
{
    public override string ToString() => $"{{TDE={(TDE ? 1 : 0)} TDA={(TDA ? 1 : 0)}}}";
}
