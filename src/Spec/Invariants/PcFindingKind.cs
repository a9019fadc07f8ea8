namespace Kvmspec.Spec.Invariants;

/// <summary>How a PC seen in a trace disagrees with the PC the retirements explain.</summary>
public enum PcFindingKind
{
    /// <summary>The PC moved past an access that has not completed (seen at its exit or by KVM_GET_ONE_REG).</summary>
    EarlyAdvance,
    /// <summary>An access both completed (retired) and was aborted (an abort delivered with ELR at it).</summary>
    AbortedRetired,
    /// <summary>The guest resumed at a PC that no retirement, exception or userspace write explains.</summary>
    Unexplained,
    /// <summary>After a return from KVM_RUN userspace sees a PC behind what has retired: an adjustment is still pending.</summary>
    StaleAtReturn,
    /// <summary>A PC adjustment hidden at a return was applied later, on top of what userspace saw or wrote.</summary>
    HiddenAdjustApplied,
}
