using System.Collections.Immutable;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Spec.Invariants;

/// <summary>An architectural or API invariant over observable traces: a stable id, a statement,
/// its sources, the paths along which it can be violated, and its monitors.</summary>
/// <remarks>Monitors read only observable events (never the model's internals), so the same
/// invariant judges any implementation's trace. <see cref="Full"/> judges full-profile traces;
/// <see cref="StepLog"/>, when present, step logs; a profile without a monitor gets
/// <see cref="VerdictKind.NotCheckable"/> with <see cref="StepLogGap"/> as the reason.</remarks>
public sealed record Invariant(
    string Id,
    string Statement,
    ImmutableArray<Source> Sources,
    ImmutableArray<string> Paths,
    Func<JudgeContext, Monitor> Full,
    string StepLogGap,
    Func<JudgeContext, Monitor>? StepLog = null)
{
    /// <summary>The monitor for a trace with <paramref name="c"/>'s header.</summary>
    public Monitor Start(JudgeContext c) => c.Header.Profile switch
    {
        Trace.Trace.FullProfile => Full(c),
        Trace.Trace.StepLogProfile when StepLog is not null => StepLog(c),
        Trace.Trace.StepLogProfile => Monitor.NotCheckable(Id, c, $"the step-log profile {StepLogGap}"),
        var p => Monitor.NotCheckable(Id, c, $"unknown profile '{p}'"),
    };

    /// <summary>Judges one trace against this invariant alone.</summary>
    public Verdict Check(Trace.Trace t) => TraceChecker.Check(t, [this])[0];

    public override string ToString() => Id;
}
