using System.Collections.Immutable;
using Kvmspec.Spec.Arm64;

namespace Kvmspec.Model.Exploration;

/// <summary>A guest program and the actions driving it: the unit that generators produce,
/// shrinkers reduce and the simulator turns into a trace.</summary>
public sealed record Script(GuestProgram Program, ImmutableArray<Action> Actions)
{
    public bool Equals(Script? o) => o is not null && Program.Equals(o.Program) && Actions.SequenceEqual(o.Actions);
    public override int GetHashCode() => HashCode.Combine(Program, Actions.Length);
    public override string ToString() => $"program [{Program}] actions [{string.Join(", ", Actions)}]";
}
