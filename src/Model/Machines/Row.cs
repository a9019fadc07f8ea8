using System.Collections.Immutable;

namespace Kvmspec.Model.Machines;

/// <summary>One declared transition: from which states (empty = any), on which trigger, under
/// which named guard, with which named effects (in order), to which state (null = unchanged),
/// and the source it models.</summary>
public sealed record Row<TState, TTrigger, TCtx>(
    ImmutableArray<TState> From,
    TTrigger Trigger,
    Guard<TCtx> Guard,
    ImmutableArray<Effect<TCtx>> Effects,
    TState? To,
    string Source)
    where TState : struct, Enum
    where TTrigger : struct, Enum
{
    public bool AppliesIn(TState s)
    {
        if (From.IsDefaultOrEmpty) return true;
        foreach (var f in From)
            if (EqualityComparer<TState>.Default.Equals(f, s)) return true;
        return false;
    }

    public string Label =>
        Trigger + (Guard.Name.Length == 0 ? "" : $" [{Guard.Name}]") +
        (Effects.IsDefaultOrEmpty ? "" : " / " + string.Join("; ", Effects.Select(e => e.Name)));
}
