namespace Kvmspec.Model.Machines;

/// <summary>What a diagram needs of a declared machine: its name, states, initial state and rows
/// as labelled edges.</summary>
public interface IMachineInfo
{
    string Name { get; }
    string Summary { get; }
    IReadOnlyList<string> States { get; }
    string Initial { get; }
    IEnumerable<(string From, string To, string Label)> Edges();
    IEnumerable<(string State, string Trigger, string Reason)> IgnoredPairs();
    IEnumerable<(string State, string Trigger)> Unhandled();
}
