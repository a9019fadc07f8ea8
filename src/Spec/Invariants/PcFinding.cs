namespace Kvmspec.Spec.Invariants;

/// <summary>One PC discrepancy found by <see cref="PcAccounting"/>.</summary>
public sealed record PcFinding(PcFindingKind Kind, int EventIndex, string Message);
