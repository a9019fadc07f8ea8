using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>PC-ONCE: an emulated instruction advances the PC exactly once, by its length, after its
/// effects; never for an aborted or undecodable access.</summary>
/// <remarks>Paths from <see cref="PcAccounting"/>: <c>early</c> (the PC moved before the access
/// completed, so userspace can no longer fail it), <c>aborted</c> (an aborted access was retired),
/// <c>skipped</c> (the guest resumed at a PC no retirement explains, or moved by more than its length).</remarks>
public static class PcOnce
{
    public const string Id = "PC-ONCE";

    /// <summary>The full-profile monitor.</summary>
    public static Monitor Start(JudgeContext c) => new Full(c);

    private sealed class Full : Monitor
    {
        private readonly PcAccounting pc;

        public Full(JudgeContext c) : base(Id, c) => pc = new PcAccounting(c.Header, OnFinding);

        private void OnFinding(PcFinding f)
        {
            string? path = f.Kind switch
            {
                PcFindingKind.EarlyAdvance => "early",
                PcFindingKind.AbortedRetired => "aborted",
                PcFindingKind.Unexplained => "skipped",
                _ => null,
            };
            if (path is not null) Report(path, f.EventIndex, f.Message);
        }

        public override void Observe(int i, TraceEvent ev) => pc.Observe(i, ev);
    }
}
