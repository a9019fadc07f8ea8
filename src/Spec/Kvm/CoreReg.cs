namespace Kvmspec.Spec.Kvm;

/// <summary>The vCPU registers userspace reads and writes with KVM_GET_ONE_REG / KVM_SET_ONE_REG in this model.</summary>
/// <remarks>api.rst "KVM_SET_ONE_REG", arm64 core registers: regs.pc and regs.pstate (SPSR format).</remarks>
public enum CoreReg { PC, PSTATE }
