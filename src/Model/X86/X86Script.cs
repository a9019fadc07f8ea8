using System.Collections.Immutable;
using Kvmspec.Model.Exploration;
using Kvmspec.Spec.X86;
using Action = Kvmspec.Model.Exploration.Action;

namespace Kvmspec.Model.X86;

/// <summary>An x86 guest program and the actions driving it (the same <see cref="Action"/>s as arm64's scripts).</summary>
public sealed record X86Script(X86Program Program, ImmutableArray<Action> Actions)
{
    public bool Equals(X86Script? o) => o is not null && Program.Equals(o.Program) && Actions.SequenceEqual(o.Actions);
    public override int GetHashCode() => HashCode.Combine(Program, Actions.Length);
    public override string ToString() => $"program [{Program}] actions [{string.Join(", ", Actions)}]";
}
