namespace Kvmspec.Spec.Invariants;

/// <summary>EXIT-CONSISTENT: after any return from KVM_RUN no hidden PC or exception adjustment is pending.</summary>
/// <remarks>Paths from <see cref="PcAccounting"/>: <c>pc</c> (userspace sees a PC behind what has
/// retired), <c>pending</c> (an adjustment hidden at a return is applied later, on top of what
/// userspace saw or wrote with KVM_SET_ONE_REG).</remarks>
public static class ExitConsistent
{
    public const string Id = "EXIT-CONSISTENT";

    /// <summary>The full-profile monitor: the trace's shared <see cref="PcAccounting"/> findings of this invariant's kinds.</summary>
    public static Monitor Start(JudgeContext c) => new PcAccounting.Findings(Id, c, k => k switch
    {
        PcFindingKind.StaleAtReturn => "pc",
        PcFindingKind.HiddenAdjustApplied => "pending",
        _ => null,
    });
}
