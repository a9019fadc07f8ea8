using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>What every monitor of one trace shares: the header, one <see cref="GuestView"/>, folded
/// once per event after all monitors have judged it, and, when a monitor asks for it, one
/// <see cref="PcAccounting"/>, fed once per event, whose findings go to every monitor that subscribed.</summary>
public sealed class JudgeContext(TraceHeader header)
{
    private PcAccounting? pc;
    private Action<PcFinding>? pcFindings;

    public TraceHeader Header { get; } = header;
    public GuestView View { get; } = new(header);

    /// <summary>Sends every <see cref="PcAccounting"/> finding of this trace to <paramref name="onFinding"/>.</summary>
    public void OnPcFinding(Action<PcFinding> onFinding)
    {
        pcFindings += onFinding;
        pc ??= new PcAccounting(Header, f => pcFindings?.Invoke(f));
    }

    /// <summary>Feeds the shared PC accounting, if any monitor asked for it.</summary>
    internal void ObservePc(int index, TraceEvent e) => pc?.Observe(index, e);
}
