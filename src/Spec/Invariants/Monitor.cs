using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>The running check of one invariant over one trace, fed one event at a time, so that a
/// trace of any length is judged in memory that does not grow with it.</summary>
/// <remarks>
/// <see cref="Observe"/> sees each observable event before the shared <see cref="GuestView"/> folds
/// it, <see cref="AfterView"/> after. A monitor keeps at most <see cref="MaxStoredPerPath"/>
/// violations per path (the first ones) and counts the rest.
/// </remarks>
public abstract class Monitor(string id, JudgeContext context)
{
    public const int MaxStoredPerPath = 100;

    private readonly List<Violation> stored = [];
    private readonly Dictionary<string, int> perPath = [];

    public string InvariantId { get; } = id;
    protected JudgeContext Context { get; } = context;
    protected GuestView View => Context.View;
    protected TraceHeader Header => Context.Header;

    /// <summary>All violations found so far, including those not stored.</summary>
    public long Total { get; private set; }

    public abstract void Observe(int index, TraceEvent e);

    public virtual void AfterView(int index, TraceEvent e) { }

    /// <summary>The verdict once the trace has ended.</summary>
    public virtual Verdict Finish() => Verdict.Of(InvariantId, stored, Total);

    protected void Report(string path, int index, string message)
    {
        Total++;
        int n = perPath.GetValueOrDefault(path);
        perPath[path] = n + 1;
        if (n < MaxStoredPerPath) stored.Add(new Violation(InvariantId, path, index, message));
    }

    /// <summary>A monitor for a trace from which the invariant cannot be decided.</summary>
    public static Monitor NotCheckable(string id, JudgeContext c, string reason) => new Undecidable(id, c, reason);

    private sealed class Undecidable(string id, JudgeContext c, string reason) : Monitor(id, c)
    {
        public override void Observe(int index, TraceEvent e) { }
        public override Verdict Finish() => Verdict.NotCheckable(InvariantId, reason);
    }
}
