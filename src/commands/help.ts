/** Usage lines, shown by /help and after any malformed command. */
export const USAGE = {
  register:
    '/register name=项目名称 customer=客户 kind=project|saas region=north contract=合同编号 signed=yes|no paid=yes|no req=需求采集表链接 solution=售前方案链接 form=实施登记表链接 [operated=yes|no cloud=yes|no]\n' +
    '（别名 /立项；值含空格时用双引号，如 name="北方 智慧园区"；项目类需 req= 或 solution= 之一，SaaS 类需 req=；只发 /register 会收到一张登记表单）',
  status: '/status <登记号>（别名 /状态）— 查看项目进度与历史',
  mine: '/mine（别名 /待办）— 列出等待我处理的事项',
  resubmit: '/resubmit <登记号> [字段=新值 ...]（别名 /重新提交）— 驳回后修改并重新提交',
  withdraw: '/withdraw <登记号>（别名 /撤回）— 在无人审批前撤回，或驳回后放弃',
  approve:
    '/approve <登记号> [意见] [字段=值 …]（别名 /同意）— 同意当前由你处理的步骤；商务审核可写 checklist=all outsourcing=no，立项可写 pm=… feasibility=… risk=…',
  reject: '/reject <登记号> <原因>（别名 /驳回）— 驳回当前由你处理的步骤，必须写原因',
  docs: '/docs <登记号>（别名 /资料）— 查看七项验收资料清单并提交',
  doc: '/doc <登记号> <资料编号1-7> <链接>（别名 /提交资料）— 提交一项验收资料',
  due: '/due <登记号> <资料编号1-7> <YYYY-MM-DD> [负责人]（别名 /截止）— 区域项目经理调整截止日期/负责人',
  handover: '/handover <登记号> [operated=yes]（别名 /移交）— 资料齐全后申请移交售后；运营项目先交接客户成功部',
  remind: '/remind <登记号>（别名 /催办）— 立即催办该项目的逾期资料和待处理事项',
  submit: '/submit <登记号> [任务编号] 字段=值 …（别名 /提交）— 提交由你处理的任务表单（卡片表单的文字版）',
  stats: '/stats（别名 /统计）— 项目总监和管理员查看项目统计（各阶段数量、逾期资料、处理时长）',
  transfer: '/transfer <登记号> [任务编号] <人员> [说明]（别名 /转交）— 把我处理的步骤转交给他人',
  reassign: '/reassign <登记号> <任务编号> <人员>（别名 /改派）— 区域项目经理或项目总监改派任务',
  addsign: '/addsign <登记号> [任务编号] <人员> before|after|with（别名 /加签）— 加签：前加签、后加签或会签',
  unsign: '/unsign <登记号> [任务编号] <人员>（别名 /撤销加签）— 撤销我添加的、尚未处理的加签',
  sendback: '/sendback <登记号> [任务编号] <退回到的步骤> <原因>（别名 /退回）— 退回到本轮更早的步骤，从那里继续',
  revoke: '/revoke <登记号> [任务编号]（别名 /撤销）— 在下一位处理人处理前撤销我的同意',
  delegate:
    '/delegate <代理人> <开始日期> <结束日期>（别名 /代理）— 期间由代理人处理我的审批；/delegate off 结束；管理员：/delegate <人员> <代理人> <开始> <结束>',
  comment:
    '/comment <登记号> <内容>（别名 /评论）— 评论项目：写入流程记录并通知当前处理人（登记人、处理过或正在处理的人、抄送人可评论）',
  cc: '/cc <登记号> <姓名或账号>（别名 /抄送）— 当前处理人把项目抄送给同事：对方收到只读卡片，进展会在卡片上更新',
  urge: '/urge <登记号>（别名 /催促；登记人发 /催办 也可）— 登记人催促当前处理人，每个步骤每天一次',
  approveAll: '/approve-all（别名 /批量同意）— 逐项同意我待办中无需填写表单的审批，并逐项报告结果',
  who: '/who <登记号> 或 /who kind=project region=north signed=no paid=no …（别名 /谁审批）— 下一步由谁处理、之后的流程由谁审批',
  help: '/help（别名 /帮助）— 显示本帮助',
} as const;
export type CommandName = keyof typeof USAGE;

export const HELP_TEXT = `Handoff 项目实施流程机器人 — 可用命令：\n${Object.values(USAGE)
  .map((u) => `• ${u}`)
  .join('\n')}`;

export const NOT_A_COMMAND_HINT = '我只懂以 / 开头的命令。发送 /help 查看可用命令。';
