// The settings panel in the current language. The English labels, help and
// sources live in the settings table (src/lib/settings/settings.ts), the one schema
// the URL, validation and the panel derive from; the Chinese ones are here,
// keyed the same way (a missing key falls back to English).
import { GROUP_TITLES, SETTINGS, type SettingGroup, type SettingKey } from '../settings/settings';
import { locale } from './index.svelte';
import { ZH_SOURCES } from './settings-sources-zh';

interface Text {
  label: string;
  help: string;
}

const ZH_GROUPS: Record<SettingGroup, string> = {
  sampling: '采样',
  sft: '监督微调',
  rm: '奖励模型',
  ppo: 'PPO',
  rrhf: 'RRHF',
  dpo: 'DPO',
  grpo: 'GRPO / RLOO',
  classroom: '课堂',
};

const ZH: Partial<Record<SettingKey, Text>> = {
  'sample.k': {
    label: '每个提示的样本数（K）',
    help: '每个提示要你排序的回答数；K = 2 就是 A/B 选择。',
  },
  'sample.temperature': {
    label: '温度',
    help: '排序样本的 softmax 温度；0 是贪心（K 个完全一样）。',
  },
  'sample.topK': { label: 'Top-k', help: '只保留概率最高的 k 个字符；0 表示关闭。' },
  'sample.topP': { label: 'Top-p', help: '只保留累计概率达到 p 的最小字符集合；1 表示关闭。' },
  'sample.maxNewTokens': {
    label: '最多新增 token',
    help: '每个回答最多新增的字符数；提示和回答必须放得进上下文。',
  },
  'sft.lr': { label: '学习率', help: '监督微调的 Adam 步长。' },
  'sft.batchSize': { label: '批大小', help: '每一步的示范数。' },
  'sft.steps': { label: '步数', help: 'SFT 自动停止前的训练步数（随时可以暂停或停止）。' },
  'rm.objective': {
    label: '目标',
    help: '排序：对一个提示的全部 C(K,2) 对取 −log σ(r_好 − r_差)。直接打分：让 σ(r) 回归分数。',
  },
  'rm.trains': {
    label: '训练哪部分',
    help: '冻结特征上的输出头几次排序就能学会；训练整个模型需要多得多的排序（学习率用 5e-4 左右）。',
  },
  'rm.readout': {
    label: '读哪里',
    help: '奖励头对哪些位置的隐藏状态取平均。读在口味显现的地方：故事怎么结尾就读结尾，回答里任何地方出现的东西（对话）就读整个回答，长度就读最后一个词元（它的位置）。',
  },
  'rm.cutOff': {
    label: '半截回答',
    help: '每次排序都会加上最好回答的一半和四分之一（在句子中间截断），排在所有完整回答之后，这样 PPO 和 RRHF 都不能靠半截回答或残句得分。它们只用于训练，不计入准确率。',
  },
  'rm.lr': { label: '学习率', help: '奖励模型的 Adam 步长。' },
  'rm.batchSize': {
    label: '批大小（提示数）',
    help: '每步的排序提示数；一个提示的全部 C(K,2) 对放在同一个批次元素里。',
  },
  'rm.steps': { label: '步数', help: '训练步数；InstructGPT 只训练一个 epoch 以免过拟合。' },
  'rm.heldoutShare': {
    label: '留出比例',
    help: '留出的排序所占比例，用来在奖励模型没见过的比较上测准确率。',
  },
  'ppo.lr': { label: '学习率', help: '策略及其价值头的 Adam 步长。' },
  'ppo.batchSize': {
    label: '每次迭代的样本数',
    help: '每次 PPO 迭代采样并由奖励模型打分的提示数。',
  },
  'ppo.miniBatchSize': { label: '小批大小', help: '每个梯度步的样本数；不超过每次迭代的样本数。' },
  'ppo.ppoEpochs': { label: 'PPO 轮数', help: '每批样本被遍历的次数。' },
  'ppo.clipRange': { label: '裁剪范围 ε', help: '概率比被裁剪到 1 ± ε。' },
  'ppo.clipRangeValue': { label: '价值裁剪范围', help: '价值预测被裁剪到 V_old ± 这个值。' },
  'ppo.vfCoef': { label: '价值损失系数', help: '价值损失相对策略损失的权重。' },
  'rm.missingEosPenalty': {
    label: '未写完的回答的惩罚',
    help: '回答在采样长度内没有结束时，从奖励模型的分数中减去这个值，再交给 PPO、RRHF 或 GRPO 学习。只读回答一部分的奖励可能喜欢写到一半的故事；0 表示关闭。',
  },
  'ppo.lam': {
    label: 'GAE λ',
    help: '回答结尾的奖励能往前传多远：每往前一个词元保留 λ，其余靠价值头的估计。取 1 时每个词元都得到全部奖励。',
  },
  'ppo.klMode': { label: 'KL 惩罚', help: '固定 β，或让 β 朝目标 KL 调整（Ziegler 等，2019）。' },
  'ppo.klCoef': {
    label: 'β（初始 KL 系数）',
    help: '逐词惩罚 β·(log π − log π_SFT)，让策略靠近 SFT 模型。',
  },
  'ppo.klTarget': { label: 'KL 目标', help: '自适应控制器追求的每个序列的 KL（nats）。' },
  'ppo.klHorizon': { label: 'KL 时间尺度', help: '自适应 β 变化的快慢，以序列数计。' },
  'ppo.ptxCoef': {
    label: '预训练混合 γ（PPO-ptx）',
    help: '加上 γ·预训练文本的对数似然，少付“对齐税”；0 就是普通 PPO。',
  },
  'ppo.iterations': { label: '迭代次数', help: 'PPO 自动停止前的迭代次数（采样、打分、更新）。' },
  'rrhf.lr': { label: '学习率', help: '策略的 Adam 步长。' },
  'rrhf.batchSize': { label: '每步的提示数', help: '每次更新的提示数，每个提示 k 个候选。' },
  'rrhf.k': {
    label: '每个提示的候选数（k）',
    help: '每个提示采样的回答数，由奖励模型打分并排序。',
  },
  'rrhf.candidates': {
    label: '候选来自',
    help: '由哪个模型写出奖励模型要排序的 k 个候选。来自冻结的 SFT 模型时，微调项学的每个候选都通顺，但策略学不到比其中最好的更好；来自策略时，它能走得更远，它自己的错字也会被排序、被学进去；一半一半介于两者之间。',
  },
  'rrhf.topP': {
    label: '候选的 top-p',
    help: '候选只从概率加起来达到 p 的最可能的字符中抽取（核采样）；1 表示关闭。排序项会学习奖励模型喜欢的候选，连同其中的错字，所以从长尾里抽到的错字可能被学进去并越来越多。',
  },
  'rrhf.lengthPenalty': {
    label: '长度惩罚',
    help: '对数概率长度归一化的指数；1 即取平均（论文的做法）。',
  },
  'rrhf.iterations': { label: '迭代次数', help: 'RRHF 自动停止前的更新次数。' },
  'dpo.beta': {
    label: 'β',
    help: '策略能离 SFT 模型多远：隐式奖励是 β·log(π/π_SFT)。越小，它能走得越远。',
  },
  'dpo.loss': {
    label: '损失',
    help: 'DPO 的逻辑损失会一直推高差距；IPO 的平方损失在差距到 1/(2β) 时停下，所以不会把几次排序过拟合得那么远。',
  },
  'dpo.lr': { label: '学习率', help: '策略的 Adam 步长。' },
  'dpo.batchSize': {
    label: '每步的偏好对',
    help: '每次更新的偏好对数（同一个提示的一个较好回答和一个较差回答）。',
  },
  'dpo.steps': { label: '步数', help: 'DPO 自动停止前的更新次数。' },
  'grpo.mode': {
    label: '优势',
    help: '每个回答的奖励怎样和同一个提示的其他回答比较。这一组就是基线：不需要价值模型。',
  },
  'grpo.beta': {
    label: 'KL 系数 β',
    help: '对 SFT 模型的 KL 项的权重（k3 估计，逐个 token）。0 表示奖励模型拉多远策略就走多远。',
  },
  'grpo.lr': { label: '学习率', help: '策略的 Adam 步长。' },
  'grpo.k': {
    label: '每个提示的回答数（K）',
    help: '每个提示采样、由奖励模型打分的回答数；它们互相比较的那一组。',
  },
  'grpo.batchSize': { label: '每步的提示数', help: '每次更新的提示数，每个带 K 个回答。' },
  'grpo.iterations': { label: '迭代次数', help: '自动停止前的更新次数（采样、打分、更新）。' },
  'classroom.presenter': { label: '演示视图', help: '用于投影：更大的字、更强的对比度。' },
  'classroom.tour': { label: '导览', help: '带论文出处的简短讲解，一步一步走过各个阶段。' },
};

const zh = () => locale.current === 'zh';

export function groupTitle(g: SettingGroup): string {
  return zh() ? ZH_GROUPS[g] : GROUP_TITLES[g];
}

export function settingLabel(key: SettingKey): string {
  return (zh() && ZH[key]?.label) || SETTINGS[key].label;
}

export function settingHelp(key: SettingKey): string {
  return (zh() && ZH[key]?.help) || SETTINGS[key].help;
}

/** Where a default comes from (a paper, TRL, or a measurement of this page). */
export function settingSource(key: SettingKey): string {
  return zh() ? ZH_SOURCES[key] : SETTINGS[key].source;
}

/** Choice labels: the table's, translated where the choice is a plain word. */
export function optionLabel(key: SettingKey, value: string, label: string): string {
  if (!zh()) return label;
  const words: Record<string, string> = {
    pairwise: '成对排序（InstructGPT）',
    direct: '直接打分',
    adaptive: '自适应（目标 KL）',
    fixed: '固定 β',
    off: key === 'rm.cutOff' ? '不加' : '关',
    on: '开',
    last: key === 'rm.readout' ? '最后一个词元（InstructGPT）' : '排在最后（加到每次排序里）',
    ending: '回答的结尾（最后 8 个词元）',
    mean: '整个回答（平均）',
    head: '冻结的 SFT 模型上的奖励头',
    all: '整个模型（InstructGPT）',
    sft: 'SFT 模型（RRHF 的主要做法）',
    policy: '策略自己（在线）',
    mixed: '一半来自 SFT，一半来自策略',
    sigmoid: 'DPO：−log σ(β·差距)',
    ipo: 'IPO：(差距 − 1/(2β))²',
    grpo: 'GRPO：(r − 组均值) / 组标准差',
    'dr-grpo': 'Dr. GRPO：r − 组均值，不按长度归一化',
    rloo: 'RLOO：r − 其他回答的均值',
  };
  return words[value] ?? label;
}
