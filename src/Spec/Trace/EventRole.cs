namespace Kvmspec.Spec.Trace;

/// <summary>What a trace event is to a replay: an input to give the vCPU, an environment event,
/// a query whose answer is observed, an observation to compare, or an internal note that no
/// invariant reads.</summary>
public enum EventRole { Input, Environment, Query, Observation, Internal }
