using System.Collections.Immutable;
using Kvmspec.Model.Exploration;
using Kvmspec.Spec.Arm64;

namespace Kvmspec.Model.Scenarios;

/// <summary>A scenario file (docs/scenario-format.md): a guest program, the VMM's inputs and
/// environment events in order, and what the resulting trace must show.</summary>
/// <remarks><c>Variants</c>: the variants <c>dotnet test</c> runs it against (default: the upstream
/// variant of its architecture); <c>Labels</c>: the program's labels and their addresses.</remarks>
public sealed record Scenario(
    string File,
    string Id,
    string Arch,
    string? Source,
    ImmutableArray<string> Areas,
    string? Notes,
    ImmutableArray<string> Variants,
    GuestProgram Program,
    ImmutableDictionary<string, ulong> Labels,
    ImmutableArray<Exploration.Action> Actions,
    ImmutableArray<Expectation> Expect)
{
    /// <summary>The script the simulator runs.</summary>
    public Script Script => new(Program, Actions);
}
