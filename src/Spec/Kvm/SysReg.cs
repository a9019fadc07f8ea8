namespace Kvmspec.Spec.Kvm;

/// <summary>The guest system registers the model's guest reads and writes with MRS/MSR, and whose
/// accesses the trace records (<c>guest_reg_read</c>, <c>guest_reg_write</c>).</summary>
/// <remarks>Arm ARM DDI 0487 register names. <see cref="DAIF"/> stands for the D bit written by
/// MSR DAIFSet/DAIFClr (value: the resulting DAIF, D = bit 9).</remarks>
public enum SysReg
{
    MDSCR_EL1, DBGBVR0_EL1, DBGBCR0_EL1, DBGBVR1_EL1, DBGBCR1_EL1, DBGWVR0_EL1, DBGWCR0_EL1,
    OSLAR_EL1, OSLSR_EL1, OSDLR_EL1, CONTEXTIDR_EL1, SPSR_EL1, DAIF,
}

/// <summary>How each system register's guest accesses trap to EL2 under KVM.</summary>
public static class SysRegs
{
    /// <summary>Trapped by MDCR_EL2.TDA: MDSCR_EL1 and the breakpoint/watchpoint registers.</summary>
    public static bool TrappedByTDA(this SysReg r) => r is SysReg.MDSCR_EL1 or SysReg.DBGBVR0_EL1 or SysReg.DBGBCR0_EL1
        or SysReg.DBGBVR1_EL1 or SysReg.DBGBCR1_EL1 or SysReg.DBGWVR0_EL1 or SysReg.DBGWCR0_EL1;

    /// <summary>Trapped by MDCR_EL2.TDOSA: the OS Lock registers (OSLAR_EL1, OSLSR_EL1, OSDLR_EL1).</summary>
    public static bool TrappedByTDOSA(this SysReg r) => r is SysReg.OSLAR_EL1 or SysReg.OSLSR_EL1 or SysReg.OSDLR_EL1;
}
