namespace Kvmspec.Spec.Arm64;

/// <summary>Whether debug exceptions can be generated, and where they go: the single gate of the
/// Arm pseudocode.</summary>
/// <remarks>
/// Arm ARM DDI 0487, pseudocode AArch64.GenerateDebugExceptionsFrom() and DebugTarget(): the OS
/// Lock disables all debug exceptions except BRK; MDCR_EL2.TDE routes them to EL2; at the target's
/// own EL they need MDSCR_EL1.KDE and PSTATE.D clear; from a lower EL they are always enabled.
/// SIMPLIFICATION: Non-secure state only, no EL3, no OS Double Lock, never Halted; HCR_EL2.TGE is 0.
/// </remarks>
public static class DebugExceptions
{
    /// <summary>Pseudocode DebugTarget(): EL2 when MDCR_EL2.TDE routes debug exceptions there, else EL1.</summary>
    public static ExceptionLevel DebugTarget(MDCR_EL2 mdcr) => mdcr.TDE ? ExceptionLevel.EL2 : ExceptionLevel.EL1;

    /// <summary>Pseudocode AArch64.GenerateDebugExceptionsFrom(from, secure = FALSE, mask); OSLK is
    /// OSLSR_EL1.OSLK as the hardware sees it.</summary>
    public static bool GenerateDebugExceptionsFrom(ExceptionLevel from, bool mask, MDSCR_EL1 mdscr, MDCR_EL2 mdcr, bool OSLK)
    {
        if (OSLK) return false;
        var target = DebugTarget(mdcr);
        return from == target ? mdscr.KDE && !mask : (int)target > (int)from;
    }

    /// <summary>Pseudocode AArch64.GenerateDebugExceptions(): from the current EL with PSTATE.D as the mask.</summary>
    public static bool GenerateDebugExceptions(PSTATE pstate, MDSCR_EL1 mdscr, MDCR_EL2 mdcr, bool OSLK) =>
        GenerateDebugExceptionsFrom(pstate.EL, pstate.D, mdscr, mdcr, OSLK);
}
