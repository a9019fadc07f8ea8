namespace Kvmspec.Model.Exploration;

/// <summary>A named script that reaches a corner random scripts rarely reach, and what it exercises.</summary>
public sealed record CorpusEntry(string Name, string Exercises, Script Script);
