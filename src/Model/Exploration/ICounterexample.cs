using Kvmspec.Spec.Invariants;
using Kvmspec.Spec.Trace;

namespace Kvmspec.Model.Exploration;

/// <summary>What a report needs of a counterexample of either architecture: the trace, the violation,
/// the guest program as text and how many actions drove it.</summary>
public interface ICounterexample
{
    Trace Trace { get; }
    Violation Violation { get; }
    string Program { get; }
    int ActionCount { get; }
}
