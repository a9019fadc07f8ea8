namespace Kvmspec.Spec.Arm64;

/// <summary>The software-step state machine's states, as the Arm ARM names them.</summary>
/// <remarks>Arm ARM DDI 0487, "The software step state machine". Always derived from
/// MDSCR_EL1.SS, whether debug exceptions are enabled, and PSTATE.SS; never stored.</remarks>
public enum StepState { Inactive, ActiveNotPending, ActivePending }
