namespace Kvmspec.Spec.Invariants;

/// <summary>PC-ONCE: an emulated instruction advances the PC exactly once, by its length, after its
/// effects; never for an aborted or undecodable access.</summary>
/// <remarks>Paths from <see cref="PcAccounting"/>: <c>early</c> (the PC moved before the access
/// completed, so userspace can no longer fail it), <c>aborted</c> (an aborted access was retired),
/// <c>skipped</c> (the guest resumed at a PC no retirement explains, or moved by more than its length).</remarks>
public static class PcOnce
{
    public const string Id = "PC-ONCE";

    public static Verdict Check(Trace.Trace t) => Verdict.Of(Id, PcAccounting.Analyse(t)
        .Select(f => f.Kind switch
        {
            PcFindingKind.EarlyAdvance => new Violation(Id, "early", f.EventIndex, f.Message),
            PcFindingKind.AbortedRetired => new Violation(Id, "aborted", f.EventIndex, f.Message),
            PcFindingKind.Unexplained => new Violation(Id, "skipped", f.EventIndex, f.Message),
            _ => null,
        })
        .OfType<Violation>().ToList());
}
