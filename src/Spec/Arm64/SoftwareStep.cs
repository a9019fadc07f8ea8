namespace Kvmspec.Spec.Arm64;

/// <summary>The Arm software-step rules, one static method per pseudocode function.</summary>
/// <remarks>
/// Arm ARM DDI 0487, "Software Step exceptions" and the shared pseudocode functions
/// SSAdvance(), CheckSoftwareStep() and DebugExceptionReturnSS(); QEMU target/arm as a second
/// reading (Peter Maydell's comments on active-pending after exception entry and ERET).
/// SIMPLIFICATION: the debug target is always AArch64 (no AArch32 EL1), so the
/// !ELUsingAArch32(DebugTarget()) conjuncts are true.
/// </remarks>
public static class SoftwareStep
{
    /// <summary>The derived step state: Inactive unless MDSCR_EL1.SS is set and debug exceptions
    /// are enabled from the current Exception level; then PSTATE.SS selects not-pending (1) or pending (0).</summary>
    public static StepState StateOf(MDSCR_EL1 mdscr, bool debugExceptionsEnabled, PSTATE pstate) =>
        !(mdscr.SS && debugExceptionsEnabled) ? StepState.Inactive
        : pstate.SS ? StepState.ActiveNotPending : StepState.ActivePending;

    /// <summary>Pseudocode SSAdvance(): completing an instruction moves active-not-pending to
    /// active-pending by clearing PSTATE.SS.</summary>
    public static PSTATE SSAdvance(MDSCR_EL1 mdscr, PSTATE pstate) =>
        mdscr.SS && pstate.SS ? pstate with { SS = false } : pstate;

    /// <summary>Pseudocode CheckSoftwareStep(): a software-step exception is taken before the next
    /// instruction when debug exceptions are enabled, MDSCR_EL1.SS is 1 and PSTATE.SS is 0 (active-pending).</summary>
    public static bool CheckSoftwareStep(MDSCR_EL1 mdscr, bool debugExceptionsEnabled, PSTATE pstate) =>
        debugExceptionsEnabled && mdscr.SS && !pstate.SS;

    /// <summary>Pseudocode DebugExceptionReturnSS(): the PSTATE.SS an exception return (ERET)
    /// produces. SPSR.SS is copied only when MDSCR_EL1.SS is 1, debug exceptions are disabled at the
    /// source and enabled at the destination; otherwise PSTATE.SS becomes 0.</summary>
    public static bool DebugExceptionReturnSS(bool spsrSS, MDSCR_EL1 mdscr, bool enabledAtSource, bool enabledAtDestination) =>
        mdscr.SS && !enabledAtSource && enabledAtDestination && spsrSS;
}
