namespace Kvmspec.Spec.Invariants;

/// <summary>What an invariant says of one trace: it holds, it is violated, or the trace lacks the
/// observations needed to decide (never a guess).</summary>
public sealed record Verdict(string Invariant, VerdictKind Kind, IReadOnlyList<Violation> Violations, string? Reason = null)
{
    public static Verdict Holds(string id) => new(id, VerdictKind.Holds, []);
    public static Verdict NotCheckable(string id, string reason) => new(id, VerdictKind.NotCheckable, [], reason);
    public static Verdict Of(string id, IReadOnlyList<Violation> v) => v.Count == 0 ? Holds(id) : new(id, VerdictKind.Violated, v);
}

/// <summary>The three possible outcomes of judging a trace.</summary>
public enum VerdictKind { Holds, Violated, NotCheckable }
