using System.Collections.Immutable;
using Kvmspec.Spec.Invariants;

namespace Kvmspec.Model.Exploration;

/// <summary>What reports need of a variant of either architecture: its id, kind, sources and the
/// violations it declares, with their reasons.</summary>
public interface IVariant
{
    string Id { get; }
    string Kind { get; }
    string Summary { get; }
    string Arch { get; }
    /// <summary>The id plus the configuration the exploration used (for x86/upstream: the VMM's BLOCKIRQ choice).</summary>
    string Label { get; }
    ImmutableArray<Source> Sources { get; }
    ImmutableArray<string> ExpectedViolations { get; }
    ImmutableDictionary<string, string> Reasons { get; }
}
