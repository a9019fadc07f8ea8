using Kvmspec.Model.Arm64;

namespace Kvmspec.Model.Exploration;

/// <summary>What running a script gives: the trace, the final vCPU, and a finding if the model
/// met a (state, trigger) pair none of its tables handles.</summary>
public sealed record SimResult(Spec.Trace.Trace Trace, Vcpu Final, string? Unhandled);
