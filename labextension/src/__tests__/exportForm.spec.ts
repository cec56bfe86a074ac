import { parameterText } from '../exportForm';

describe('parameterText', () => {
  it('shows a required setting as the command line does, other values as JSON', () => {
    expect(parameterText('<from $SERVICE_KEY>')).toBe('<from $SERVICE_KEY>');
    expect(parameterText('eu')).toBe('"eu"');
    expect(parameterText(0.5)).toBe('0.5');
    expect(parameterText(false)).toBe('false');
    expect(parameterText(null)).toBe('null');
  });
});
