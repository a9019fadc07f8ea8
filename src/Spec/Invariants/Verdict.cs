namespace Kvmspec.Spec.Invariants;

/// <summary>What an invariant says of one trace: it holds, it is violated, or the trace lacks the
/// observations needed to decide (never a guess).</summary>
/// <remarks>
/// <c>Violations</c>: The violations kept (at most <see cref="Monitor.MaxStoredPerPath"/> per path).
/// <c>Total</c>: How many violations were found, kept or not.
/// </remarks>
public sealed record Verdict(string Invariant, VerdictKind Kind, IReadOnlyList<Violation> Violations, string? Reason = null, long Total = 0)
{
    public static Verdict Holds(string id) => new(id, VerdictKind.Holds, []);
    public static Verdict NotCheckable(string id, string reason) => new(id, VerdictKind.NotCheckable, [], reason);
    public static Verdict Of(string id, IReadOnlyList<Violation> v, long total = -1) =>
        v.Count == 0 ? Holds(id) : new(id, VerdictKind.Violated, v, null, total < 0 ? v.Count : total);
}

/// <summary>The three possible outcomes of judging a trace.</summary>
public enum VerdictKind { Holds, Violated, NotCheckable }
