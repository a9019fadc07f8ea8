namespace Kvmspec.Spec.Arm64;

/// <summary>An AArch64 Exception level.</summary>
/// <remarks>Arm ARM DDI 0487, "Exception levels". EL3 is not modelled: KVM never runs there.</remarks>
public enum ExceptionLevel { EL0 = 0, EL1 = 1, EL2 = 2 }
