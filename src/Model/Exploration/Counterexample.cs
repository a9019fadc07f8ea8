using Kvmspec.Spec.Invariants;

namespace Kvmspec.Model.Exploration;

/// <summary>A shrunk script that shows a violation, with its trace and the first violation of that key.</summary>
public sealed record Counterexample(Script Script, Spec.Trace.Trace Trace, Violation Violation) : ICounterexample
{
    public string Program => Script.Program.ToString();
    public int ActionCount => Script.Actions.Length;
}
