namespace Kvmspec.Spec.Invariants;

/// <summary>EXIT-CONSISTENT: after any return from KVM_RUN no hidden PC or exception adjustment is pending.</summary>
/// <remarks>Paths from <see cref="PcAccounting"/>: <c>pc</c> (userspace sees a PC behind what has
/// retired), <c>pending</c> (an adjustment hidden at a return is applied later, on top of what
/// userspace saw or wrote with KVM_SET_ONE_REG).</remarks>
public static class ExitConsistent
{
    public const string Id = "EXIT-CONSISTENT";

    public static Verdict Check(Trace.Trace t) => Verdict.Of(Id, PcAccounting.Analyse(t)
        .Select(f => f.Kind switch
        {
            PcFindingKind.StaleAtReturn => new Violation(Id, "pc", f.EventIndex, f.Message),
            PcFindingKind.HiddenAdjustApplied => new Violation(Id, "pending", f.EventIndex, f.Message),
            _ => null,
        })
        .OfType<Violation>().ToList());
}
