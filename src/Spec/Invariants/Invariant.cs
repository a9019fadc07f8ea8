using System.Collections.Immutable;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>An architectural or API invariant over observable traces: a stable id, a statement,
/// its sources, the paths along which it can be violated, and the check.</summary>
/// <remarks>Checks read only observable events (never the model's internals), so the same
/// invariant judges any implementation's trace. A check that lacks the observations it needs
/// returns <see cref="VerdictKind.NotCheckable"/>.</remarks>
public sealed record Invariant(
    string Id,
    string Statement,
    ImmutableArray<Source> Sources,
    ImmutableArray<string> Paths,
    Func<Trace.Trace, Verdict> Check)
{
    public override string ToString() => Id;
}
