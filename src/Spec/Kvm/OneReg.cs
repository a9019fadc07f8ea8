namespace Kvmspec.Spec.Kvm;

/// <summary>The vCPU registers userspace reads and writes with KVM_GET_ONE_REG / KVM_SET_ONE_REG,
/// and lists with KVM_GET_REG_LIST, in this model.</summary>
/// <remarks>api.rst "KVM_SET_ONE_REG": arm64 core registers (KVM_REG_ARM_CORE: regs.regs[0],
/// regs.pc, regs.pstate in SPSR format, elr_el1, spsr[KVM_SPSR_EL1]) and system registers
/// (KVM_REG_ARM64_SYSREG, named by their architectural names). Which system registers a KVM version
/// enumerates is a property of the version (OSLSR_EL1 only from v5.18: the 2021 OS Lock thread).</remarks>
public enum OneReg
{
    PC, PSTATE, X0, ELR_EL1, SPSR_EL1,
    ESR_EL1, FAR_EL1, CONTEXTIDR_EL1, MDSCR_EL1,
    DBGBCR0_EL1, DBGBVR0_EL1, DBGBCR1_EL1, DBGBVR1_EL1, DBGWCR0_EL1, DBGWVR0_EL1,
    OSLSR_EL1,
}

/// <summary>Helpers over <see cref="OneReg"/>.</summary>
public static class OneRegs
{
    /// <summary>Whether the register is a core register (KVM_REG_ARM_CORE) rather than a system register.</summary>
    public static bool IsCore(this OneReg r) => r is OneReg.PC or OneReg.PSTATE or OneReg.X0 or OneReg.ELR_EL1 or OneReg.SPSR_EL1;

    /// <summary>The guest-visible system register with the same name, if there is one.</summary>
    public static SysReg? AsSysReg(this OneReg r) => Enum.TryParse<SysReg>(r.ToString(), out var s) ? s : null;
}
