using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>What every monitor of one trace shares: the header and one <see cref="GuestView"/>,
/// folded once per event after all monitors have judged it.</summary>
public sealed class JudgeContext(TraceHeader header)
{
    public TraceHeader Header { get; } = header;
    public GuestView View { get; } = new(header);
}
