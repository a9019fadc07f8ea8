namespace Kvmspec.Spec.Arm64;

/// <summary>PSTATE, the process state: the fields this model uses. Also the shape of SPSR_ELx,
/// which holds a saved PSTATE.</summary>
/// <remarks>
/// Arm ARM DDI 0487, "Process state, PSTATE" and "SPSR_EL1, Saved Program Status Register (EL1)".
/// Modelled: SS (software step), D/A/I (debug, SError, IRQ masks), EL (with SP_ELx selected).
/// Left out: NZCV, F, PAN, UAO, SSBS, BTYPE, TCO, IL, nRW (the guest is AArch64 only).
/// <see cref="Encode"/>/<see cref="Decode"/> are the only places where SPSR bit positions appear
/// (SS bit 21, D bit 9, A bit 8, I bit 7, M[3:0]).
/// </remarks>
public readonly record struct PSTATE(bool SS, bool D, bool A, bool I, ExceptionLevel EL)
{
    /// <summary>The state a vCPU resets to: EL1h with D, A, I and F masked, SS clear.</summary>
    /// <remarks>Arm ARM "Reset" (PSTATE on reset to AArch64); KVM's reset uses PSR_MODE_EL1h | all masks.</remarks>
    public static PSTATE Reset => new(SS: false, D: true, A: true, I: true, EL: ExceptionLevel.EL1);

    public const int SS_BIT = 21, D_BIT = 9, A_BIT = 8, I_BIT = 7, F_BIT = 6;

    /// <summary>The SPSR encoding of this PSTATE (as KVM_GET_ONE_REG of the core register pstate returns it).</summary>
    public ulong Encode()
    {
        ulong m = EL switch { ExceptionLevel.EL0 => 0b0000UL, ExceptionLevel.EL1 => 0b0101UL, _ => 0b1001UL };
        return m | (SS ? 1UL << SS_BIT : 0) | (D ? 1UL << D_BIT : 0) | (A ? 1UL << A_BIT : 0)
                 | (I ? 1UL << I_BIT : 0) | 1UL << F_BIT;
    }

    /// <summary>Decodes an SPSR value; null when M[3:0] is not a mode this model has.</summary>
    public static PSTATE? Decode(ulong spsr)
    {
        ExceptionLevel? el = (spsr & 0xF) switch
        {
            0b0000 => ExceptionLevel.EL0,
            0b0101 or 0b0100 => ExceptionLevel.EL1,
            0b1001 or 0b1000 => ExceptionLevel.EL2,
            _ => null,
        };
        if (el is null) return null;
        return new PSTATE(Bit(spsr, SS_BIT), Bit(spsr, D_BIT), Bit(spsr, A_BIT), Bit(spsr, I_BIT), el.Value);
    }

    private static bool Bit(ulong v, int n) => (v >> n & 1) != 0;

    public override string ToString() =>
        $"{{SS={(SS ? 1 : 0)} D={(D ? 1 : 0)} A={(A ? 1 : 0)} I={(I ? 1 : 0)} {EL}}}";
}
