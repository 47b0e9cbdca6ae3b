/**
 * Chinese templates for the SFT demonstrations (syntax in ../template.ts, slots as
 * in ./templates.ts): a whole story in two to four short sentences, at most 60
 * characters. The start names the hero, the animal and the problem; the ending
 * carries its sentiment in keywords `endingSentiment` knows (open ones: 也许,
 * 明天, 不知道, a final question). Only `say` lines hold quotes; `~` marks endings
 * in which nobody helps (used only when no friend has appeared).
 */
import type { MiniProblemTemplates, Problem } from '../language';

/** The hero's first mention. */
const HERO = '[{animal}{name}|{animal}{name}|一只叫{name}的{animal}]';
const AT_LAST = '[最后，|后来，|终于，]';
const MAYBE = '[也许|可能]';

const lost: MiniProblemTemplates = {
  start: [
    `[|有一天，]${HERO}[弄丢了|找不到]它的{color_object}。`,
    `${HERO}把{object}忘在了{at_place}。`,
    '{animal}{name}的{color_object}不见了。',
  ],
  middle: [
    '它在[床底下|草丛里|门后面]找了又找。',
    '它{in_place}找了一整天。',
    '它去问{friend}有没有看见。',
  ],
  say: ['{name}着急地问：“我的{object}在哪里呀？”', '{friend}说：“别着急，我帮你找。”'],
  ending: {
    happy: [
      `${AT_LAST}它找到了{object}，[开心极了|高兴得笑了]。`,
      '原来{object}就在[床底下|盒子里]，{name}开心地笑了。',
      '{friend}帮它找到了{object}，{name}[开心极了|非常高兴]。',
    ],
    sad: [
      '{name}再也没有找到{object}，难过地哭了。',
      '{object}再也找不到了，{name}很伤心。',
      '天黑了，{name}只好回家，心里很难过。',
    ],
    open: [
      '{object}到底去哪里了呢？',
      `${MAYBE}明天就能找到{object}。`,
      '{name}还能找到它的{object}吗？',
    ],
  },
};

const stuck: MiniProblemTemplates = {
  start: [`${HERO}爬上了大树，[可是|却]下不来了。`, `${HERO}爬得太高，不敢下来了。`],
  middle: ['它大声地喊救命。', '它紧紧地抱住了树枝。'],
  say: ['{name}喊：“救命啊，我下不来了！”', '{friend}说：“别怕，我去拿梯子！”'],
  ending: {
    happy: ['{friend}帮它下来了，它开心地笑了。', `${AT_LAST}它慢慢地爬了下来，开心极了。`],
    sad: ['它不小心摔了下来，疼得哭了。', '~没有人来帮忙，它难过地哭了。'],
    open: ['会不会有人来帮它呢？', `${MAYBE}它很快就能想到办法。`],
  },
};

const rain: MiniProblemTemplates = {
  start: [
    `${HERO}想出去玩，可是下起了大雨。`,
    `下雨了，${HERO}只好待在家里。`,
    `${HERO}想去{place}玩，可是雨一直下。`,
  ],
  middle: ['它坐在窗前看雨。', '它在家里[看书|画画|搭积木]。'],
  say: ['{name}问：“雨什么时候才会停？”', '{friend}说：“我们在家里玩游戏吧！”'],
  ending: {
    happy: ['后来太阳出来了，它开开心心地跑出去玩了。', '雨停了，它在水坑里跳来跳去，开心地笑了。'],
    sad: ['雨一直下，它心里很难过。', '它一整天都没能出门，很伤心。'],
    open: ['明天会不会是晴天呢？', `${MAYBE}明天太阳就出来了。`],
  },
};

const hungry: MiniProblemTemplates = {
  start: [`${HERO}饿了，可是{food}太高了。`, `${HERO}看见树上有{food}，可是够不着。`],
  middle: ['它跳了又跳，还是够不着。', '它站在[箱子|椅子|石头]上，还是太高了。'],
  say: ['{name}说：“我好饿呀！”', '{friend}说：“站到我的背上试试吧！”'],
  ending: {
    happy: [
      '{friend}帮它拿到了{food}，它们吃得很开心。',
      `${AT_LAST}它拿到了{food}，高兴得跳了起来。`,
    ],
    sad: ['它没有吃到{food}，伤心地睡了。', '{food}还挂在上面，它难过地走开了。'],
    open: ['{name}能拿到{food}吗？', `${MAYBE}明天它就能想出办法。`],
  },
};

const dark: MiniProblemTemplates = {
  start: [`${HERO}很怕黑。`, `一天夜里，${HERO}听见窗外有奇怪的声音。`],
  middle: ['它躲进了被子里。', '它打开了小灯。'],
  say: ['{name}小声问：“是谁在外面？”', '{friend}说：“别怕，是我呀！”'],
  ending: {
    happy: [
      '原来只是风声，它笑了。',
      '{friend}陪着它，它开心地睡着了。',
      '灯亮了，{name}高兴地笑了。',
    ],
    sad: ['{name}怕得一夜没睡，哭到了天亮。', '~它一个人在黑暗里，又害怕又难过。'],
    open: ['那到底是什么声音呢？', '它到现在也不知道那是什么声音。'],
  },
};

const broken: MiniProblemTemplates = {
  start: [`${HERO}不小心把{color_object}弄坏了。`, `${HERO}的{object}摔坏了。`],
  middle: ['它想用[胶水|胶带|绳子]把它修好。', '它把{object}拿给{friend}看。'],
  say: ['{name}说：“我的{object}坏了！”', '{friend}说：“别担心，我们一起修吧。”'],
  ending: {
    happy: [
      '它们一起修好了{object}，{name}高兴地笑了。',
      `${AT_LAST}{object}又能用了，它非常高兴。`,
    ],
    sad: ['{object}修不好了，{name}难过地哭了。', '它把{object}收了起来，伤心了很久。'],
    open: ['{object}还能修好吗？', `${MAYBE}明天有人能修好它。`],
  },
};

const lostWay: MiniProblemTemplates = {
  start: [`${HERO}走得太远，迷路了。`, `${HERO}{in_place}散步，走着走着就迷路了。`],
  middle: ['它走啊走，可是每条路都一样。', '它爬上小山，想看看家在哪里。'],
  say: ['{name}问：“回家的路在哪里？”', '{friend}说：“跟我来，我认识路。”'],
  ending: {
    happy: [`${AT_LAST}它看见了自己的家，开心地跑了回去。`, '{friend}带它回到了家，它很高兴。'],
    sad: ['天黑了，它还是找不到家，伤心地哭了。', '~它一个人坐在路边，难过极了。'],
    open: ['它能在天黑以前回到家吗？', `${MAYBE}明天它就能找到回家的路。`],
  },
};

const lonely: MiniProblemTemplates = {
  start: [`${HERO}刚搬到{at_place}，一个朋友也没有。`, `${HERO}没有朋友陪它玩。`],
  middle: ['它坐在树下，看着别人玩。', '它很想去打招呼，可是有点害羞。'],
  say: ['{name}小声问：“我可以和你一起玩吗？”', '{friend}说：“快来一起玩吧！”'],
  ending: {
    happy: ['后来，它和{friend}成了好朋友。', '{friend}请它一起玩，{name}开心地笑了。'],
    sad: ['~没有人和它玩，它心里很孤单。', '~它一个人坐到天黑，伤心地哭了。'],
    open: ['明天{name}会交到新朋友吗？', `${MAYBE}明天它就能找到朋友。`],
  },
};

const race: MiniProblemTemplates = {
  start: [`${HERO}很想在跑步比赛中得第一名。`, `大家都说${HERO}跑得太慢。`],
  middle: ['它每天早上都去练习跑步。', '跑到一半，它被石头绊了一下。'],
  say: ['{name}说：“我一定会赢！”', '{friend}大声喊：“{name}，加油！”'],
  ending: {
    happy: ['它得了第一名，开心极了。', '它第一个跑到终点，高兴得跳了起来。'],
    sad: ['它跑了最后一名，难过地哭了。', '它摔倒了，没能跑完，心里很难过。'],
    open: ['下一次谁会赢呢？', `${MAYBE}明年它就能得第一名。`],
  },
};

const sick: MiniProblemTemplates = {
  start: [`${HERO}听说{friend}生病了。`, `{friend}[感冒了|发烧了]，${HERO}很担心。`],
  middle: ['它给{friend}做了一张卡片。', '它给{friend}送去了一些{food}。'],
  say: ['{name}说：“希望你快点好起来。”', '{friend}说：“谢谢你来看我。”'],
  ending: {
    happy: ['没过几天，{friend}好了，它们开心地一起玩。', '{friend}的病好了，它们快乐极了。'],
    sad: ['{friend}的病还没有好，{name}很难过。', '{friend}要去很远的地方看病，{name}哭了。'],
    open: ['{friend}什么时候才能好起来呢？', `${MAYBE}明天{friend}就能出来玩了。`],
  },
};

export const MINI: Record<Problem, MiniProblemTemplates> = {
  lost,
  stuck,
  rain,
  hungry,
  dark,
  broken,
  lostWay,
  lonely,
  race,
  sick,
};
