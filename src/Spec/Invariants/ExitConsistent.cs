using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>EXIT-CONSISTENT: after any return from KVM_RUN no hidden PC or exception adjustment is pending.</summary>
/// <remarks>Paths from <see cref="PcAccounting"/>: <c>pc</c> (userspace sees a PC behind what has
/// retired), <c>pending</c> (an adjustment hidden at a return is applied later, on top of what
/// userspace saw or wrote with KVM_SET_ONE_REG).</remarks>
public static class ExitConsistent
{
    public const string Id = "EXIT-CONSISTENT";

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
                PcFindingKind.StaleAtReturn => "pc",
                PcFindingKind.HiddenAdjustApplied => "pending",
                _ => null,
            };
            if (path is not null) Report(path, f.EventIndex, f.Message);
        }

        public override void Observe(int i, TraceEvent ev) => pc.Observe(i, ev);
    }
}
