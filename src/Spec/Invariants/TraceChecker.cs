using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>Judges one trace against a set of invariants in a single pass: each event goes to every
/// invariant's <see cref="Monitor"/>, then to the shared <see cref="GuestView"/>.</summary>
/// <remarks>Internal events (lane-diagram notes) are skipped; the index passed on is the event's
/// position in the trace, so violations point at the line a reader sees.</remarks>
public sealed class TraceChecker
{
    private readonly JudgeContext context;
    private readonly Monitor[] monitors;
    private readonly bool fullProfile;

    public TraceChecker(TraceHeader header, IEnumerable<Invariant> invariants)
    {
        context = new JudgeContext(header);
        fullProfile = header.HasFullObservations;
        monitors = [.. invariants.Select(i => i.Start(context))];
    }

    public void Observe(int index, TraceEvent e)
    {
        if (e.Role == EventRole.Internal) return;
        foreach (var m in monitors) m.Observe(index, e);
        context.ObservePc(index, e);
        if (!fullProfile && e is StepRecord) return;
        context.View.Apply(e);
        foreach (var m in monitors) m.AfterView(index, e);
    }

    public IReadOnlyList<Verdict> Finish() => [.. monitors.Select(m => m.Finish())];

    public static IReadOnlyList<Verdict> Check(Trace.Trace t, IEnumerable<Invariant> invariants)
    {
        var c = new TraceChecker(t.Header, invariants);
        for (int i = 0; i < t.Events.Length; i++) c.Observe(i, t.Events[i]);
        return c.Finish();
    }
}
