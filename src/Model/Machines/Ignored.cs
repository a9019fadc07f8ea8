using System.Collections.Immutable;

namespace Kvmspec.Model.Machines;

/// <summary>A (state, trigger) pair a machine deliberately ignores, with the reason (STYLE.md §3: totality).</summary>
public sealed record Ignored<TState, TTrigger>(ImmutableArray<TState> In, TTrigger Trigger, string Reason)
    where TState : struct, Enum
    where TTrigger : struct, Enum
{
    public bool AppliesIn(TState s) => In.IsDefaultOrEmpty || In.Contains(s);
}
