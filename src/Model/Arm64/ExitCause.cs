using Kvmspec.Spec.Arm64;

namespace Kvmspec.Model.Arm64;

/// <summary>The exit KVM is handling: its kind, ESR_EL2, and the PC of the instruction that trapped.</summary>
public readonly record struct ExitCause(ExitCauseKind Kind, ESR_ELx Esr, ulong Pc, Instruction Insn);
