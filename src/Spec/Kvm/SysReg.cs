namespace Kvmspec.Spec.Kvm;

/// <summary>The guest system registers whose reads the trace records.</summary>
public enum SysReg { MDSCR_EL1, DBGBVR0_EL1 }
