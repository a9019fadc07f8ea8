namespace Kvmspec.Spec.Invariants;

/// <summary>PC-ONCE: an emulated instruction advances the PC exactly once, by its length, after its
/// effects; never for an aborted or undecodable access.</summary>
/// <remarks>Paths from <see cref="PcAccounting"/>: <c>early</c> (the PC moved before the access
/// completed, so userspace can no longer fail it), <c>aborted</c> (an aborted access was retired),
/// <c>skipped</c> (the guest resumed at a PC no retirement explains, or moved by more than its length).</remarks>
public static class PcOnce
{
    public const string Id = "PC-ONCE";

    /// <summary>The full-profile monitor: the trace's shared <see cref="PcAccounting"/> findings of this invariant's kinds.</summary>
    public static Monitor Start(JudgeContext c) => new PcAccounting.Findings(Id, c, k => k switch
    {
        PcFindingKind.EarlyAdvance => "early",
        PcFindingKind.AbortedRetired => "aborted",
        PcFindingKind.Unexplained => "skipped",
        _ => null,
    });
}
