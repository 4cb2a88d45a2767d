// The admin console's charts: each <div class="chart" data-chart="id"> gets the ECharts option charts[id] from the
// page's JSON block. Drawn on canvas; data-ready="1" is set once a chart has rendered (the browser tests wait on it).
(() => {
  const block = document.getElementById('charts');
  if (!block || typeof echarts === 'undefined') return;
  const options = JSON.parse(block.textContent || '{}');
  const charts = [];
  for (const el of document.querySelectorAll('.chart[data-chart]')) {
    const option = options[el.dataset.chart];
    if (!option) continue;
    const chart = echarts.init(el, null, { renderer: 'canvas' });
    chart.on('finished', () => {
      el.dataset.ready = '1';
    });
    chart.setOption(option);
    charts.push(chart);
  }
  window.addEventListener('resize', () => {
    for (const c of charts) c.resize();
  });
})();
