using Kvmspec.Spec.Invariants;

namespace Kvmspec.Model.Exploration.Exhaustive;

/// <summary>A transition system the breadth-first explorer can search: its initial states, a
/// finite action alphabet per state, and a step that packs the successor into a fingerprint and
/// judges the transition.</summary>
/// <typeparam name="S">The full state kept in the BFS frontier (only fingerprints are stored).</typeparam>
public interface IStateSpace<S>
{
    /// <summary>The initial states, each already judged (for example one per guest program).</summary>
    IReadOnlyList<Outcome<S>> Initial { get; }

    /// <summary>How many actions <paramref name="s"/> offers (at most 255).</summary>
    int ActionCount(S s);

    /// <summary>Takes action <paramref name="a"/> from <paramref name="s"/>; null when the action is not enabled there.</summary>
    /// <remarks>Must be safe to call from several threads at once on different states.</remarks>
    Outcome<S>? Step(S s, int a);
}

/// <summary>A state reached, its fingerprint, and the violations the transition into it shows
/// (null or empty when none).</summary>
public readonly record struct Outcome<S>(S State, Fingerprint Key, IReadOnlyList<Violation>? Found = null);
